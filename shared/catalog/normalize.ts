const ASCII = /^[\x00-\x7f]*$/;

/**
 * The form in which entity labels, names and aliases are compared: case, spacing, punctuation and a
 * possessive 's ignored ("Altman's" ~ "altman", "U.S." ~ "US", "mixture-of-experts" ~ "Mixture of experts").
 */
export function normalizeLabel(label: string): string {
  // ASCII is its own NFKC form, and its letters and digits are [a-z0-9] once lower-cased: the same
  // result without the Unicode passes (catalogs of 100,000 entities normalise every name and alias).
  if (ASCII.test(label))
    return label
      .toLowerCase()
      .replace(/'s(?![a-z0-9])/g, '')
      .replace(/[^a-z0-9]+/g, '');
  return label
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’]s(?=$|[^\p{L}\p{N}])/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}
