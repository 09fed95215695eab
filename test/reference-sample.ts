/**
 * The real published story the spec points at (`../shared/reference/aidran-story-sample.txt`, beside
 * this checkout, never copied into it), and our own story with the same four kinds of problems
 * (`test/fixtures/shared/collapsed-export-mistakes.txt`: a collapsed one-line export, three entity
 * references whose labels name other entities, one citation with no source). Tests about the
 * reference itself run when it is there and say that they skipped when it is not; tests of what
 * such a file does in the studio use whichever is there, so a checkout alone still runs them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStory, storyFields } from '../shared/index.js';

const root = join(import.meta.dirname, '..');
export const REFERENCE_PATH = join(root, '..', 'shared', 'reference', 'aidran-story-sample.txt');
export const OWN_SAMPLE_PATH = join(root, 'test', 'fixtures', 'shared', 'collapsed-export-mistakes.txt');
export const hasReference = existsSync(REFERENCE_PATH);

if (!hasReference) {
  console.warn(
    `[reference] ${REFERENCE_PATH} is not beside this checkout: its own tests are skipped; the others use test/fixtures/shared/collapsed-export-mistakes.txt`,
  );
}

/** A collapsed export with three mislabelled entity references and a citation without a source. */
export const SAMPLE_PATH = hasReference ? REFERENCE_PATH : OWN_SAMPLE_PATH;
export const SAMPLE_NAME = SAMPLE_PATH.split('/').pop()!;
export const sampleText = (): string => readFileSync(SAMPLE_PATH, 'utf8');
export const sampleTitle = (): string => storyFields(parseStory(sampleText())).title!;
