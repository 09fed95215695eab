import { useCallback, useRef, useState } from 'react';
import type { ImportReport, StudioApi } from '../../shared/api/contract.js';
import { decodeImportFile, type DecodedFile } from './read-import-file.js';

export interface ImportRun {
  /** Files in this run, and how many are done. */
  total: number;
  done: number;
  running: boolean;
  reports: ImportReport[];
}

/** Files per `importFiles` call: progress moves once a chunk, and each chunk is one transaction. */
const CHUNK_FILES = 50;
/** Characters per call at most (a chunk holds one file at least): the body stays below the host's limit. */
const CHUNK_CHARS = 4_000_000;

/**
 * Imports files in chunks, each read and checked in the page and handed to the library's
 * `importFiles` (one call and one transaction a chunk; progress shown as n of m after each); a
 * file that fails gets its line in the report and the others go on. The library list is told once,
 * at the end (`onImported`).
 */
export function useImporter(api: StudioApi | null, onImported: (reports: ImportReport[]) => void) {
  const [run, setRun] = useState<ImportRun | null>(null);
  const busy = useRef(false);

  const start = useCallback(
    async (files: File[]) => {
      if (!api || files.length === 0 || busy.current) return;
      busy.current = true;
      const reports: ImportReport[] = [];
      setRun({ total: files.length, done: 0, running: true, reports: [] });
      let next = 0;
      while (next < files.length) {
        // One chunk: the files' reports by position, the decoded ones sent together.
        const chunk: Array<ImportReport | null> = [];
        const send: Array<{ name: string; text: string }> = [];
        let chars = 0;
        while (next < files.length && chunk.length < CHUNK_FILES) {
          const file = files[next]!;
          let decoded: DecodedFile;
          try {
            decoded = decodeImportFile(file.name, new Uint8Array(await file.arrayBuffer()));
          } catch (e) {
            decoded = { ok: false, name: file.name, error: `${file.name}: ${(e as Error).message}` };
          }
          if (decoded.ok && send.length > 0 && chars + decoded.text.length > CHUNK_CHARS) break;
          next++;
          if (decoded.ok) {
            chunk.push(null);
            send.push({ name: decoded.name, text: decoded.text });
            chars += decoded.text.length;
          } else {
            chunk.push({ name: file.name, ok: false, error: decoded.error, notices: [], diagnostics: 0 });
          }
        }
        let answers: ImportReport[] = [];
        let failed: string | null = null;
        if (send.length > 0) {
          try {
            answers = await api.importFiles({ files: send });
          } catch (e) {
            failed = (e as Error).message;
          }
        }
        let k = 0;
        for (const r of chunk) {
          if (r) {
            reports.push(r);
            continue;
          }
          const name = send[k]!.name;
          reports.push(answers[k] ?? { name, ok: false, error: `${name}: ${failed ?? 'no answer from the library'}`, notices: [], diagnostics: 0 });
          k++;
        }
        setRun({ total: files.length, done: reports.length, running: true, reports: [...reports] });
      }
      setRun({ total: files.length, done: reports.length, running: false, reports });
      busy.current = false;
      onImported(reports);
    },
    [api, onImported],
  );

  return { run, start, dismiss: useCallback(() => setRun((r) => (r?.running ? r : null)), []) };
}
