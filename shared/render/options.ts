import type { Catalog, CatalogIndex } from '../catalog/index.js';

/** What every render takes: the catalog references resolve against, and the public site they link to. */
export interface RenderOptions {
  catalog?: Catalog | CatalogIndex;
  /** The public site reference links point at; https://aidran.ai unless set. */
  site?: string;
}
