// A data set as read from its official files, before any preparation: pixels as bytes, one image per
// row (d bytes), labels as bytes.

export interface RawSplit {
  pixels: Uint8Array;
  labels: Uint8Array;
  n: number;
}

export interface RawDataset {
  d: number;
  classes: string[];
  train: RawSplit;
  test: RawSplit;
  /** The directory read and every file the data came from (absolute paths), in reading order. */
  dir: string;
  files: string[];
}

export function checkLabels(labels: Uint8Array, K: number, where: (i: number) => string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= K) throw new Error(`${where(i)}: label ${labels[i]} is not a class (0…${K - 1})`);
  }
}
