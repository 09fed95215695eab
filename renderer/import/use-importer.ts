import { useCallback, useRef, useState } from 'react';
import type { ImportReport, StudioApi } from '../../shared/api/contract.js';
import { decodeImportFile } from './read-import-file.js';

export interface ImportRun {
  /** Files in this run, and how many are done. */
  total: number;
  done: number;
  running: boolean;
  reports: ImportReport[];
}

/**
 * Imports files one by one (so progress can be shown as n of m), each read and checked in the page
 * and handed to the library's `importText`; a file that fails gets its line in the report and the
 * others go on.
 */
export function useImporter(api: StudioApi | null, onImported: (reports: ImportReport[]) => void) {
  const [run, setRun] = useState<ImportRun | null>(null);
  const busy = useRef(false);

  const start = useCallback(async (files: File[]) => {
    if (!api || files.length === 0 || busy.current) return;
    busy.current = true;
    const reports: ImportReport[] = [];
    setRun({ total: files.length, done: 0, running: true, reports: [] });
    for (const file of files) {
      let report: ImportReport;
      try {
        const decoded = decodeImportFile(file.name, new Uint8Array(await file.arrayBuffer()));
        report = decoded.ok
          ? await api.importText({ name: file.name, text: decoded.text })
          : { name: file.name, ok: false, error: decoded.error, notices: [], diagnostics: 0 };
      } catch (e) {
        report = { name: file.name, ok: false, error: `${file.name}: ${(e as Error).message}`, notices: [], diagnostics: 0 };
      }
      reports.push(report);
      setRun({ total: files.length, done: reports.length, running: true, reports: [...reports] });
    }
    setRun({ total: files.length, done: reports.length, running: false, reports });
    busy.current = false;
    onImported(reports);
  }, [api, onImported]);

  return { run, start, dismiss: useCallback(() => setRun((r) => (r?.running ? r : null)), []) };
}
