// The WHATWG URL class is a global in every runtime the shared core runs in (Node, browsers,
// Electron). shared/ compiles without the DOM and Node libraries, so declare the part it uses.
declare class URL {
  constructor(url: string, base?: string);
  readonly href: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly search: string;
  readonly hash: string;
}
