// Test helpers: parse a rendered SVG as XML (a parse error fails loudly) and find Plot's marks in it.
import { JSDOM } from 'jsdom';

export interface ParsedSvg {
  root: Element;
  /** The <g aria-label="…"> groups Plot draws each mark in. */
  marks(label: string): Element[];
  /** Text content of every <text> element, in document order. */
  texts(): string[];
}

export function parseSvg(svg: string): ParsedSvg {
  const dom = new JSDOM(svg, { contentType: 'image/svg+xml' });
  const doc = dom.window.document;
  const error = doc.getElementsByTagName('parsererror')[0];
  if (error) throw new Error(`SVG does not parse as XML: ${error.textContent}`);
  const root = doc.documentElement;
  return {
    root,
    marks: (label) => Array.from(root.querySelectorAll(`g[aria-label="${label}"]`)),
    texts: () => Array.from(root.querySelectorAll('text')).map((t) => t.textContent ?? ''),
  };
}

/** A fresh jsdom document, as the pipeline creates one. */
export function newDocument(): never {
  return new JSDOM('<!DOCTYPE html><html><body></body></html>').window.document as never;
}
