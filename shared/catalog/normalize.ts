/**
 * The form in which entity labels, names and aliases are compared: case, spacing, punctuation and a
 * possessive 's ignored ("Altman's" ~ "altman", "U.S." ~ "US", "mixture-of-experts" ~ "Mixture of experts").
 */
export function normalizeLabel(label: string): string {
  return label
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’]s(?=$|[^\p{L}\p{N}])/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}
