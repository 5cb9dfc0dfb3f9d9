/**
 * Finds the three parts of a PocketSphinx model inside one directory: the acoustic model (the
 * folder holding `mdef`), the n-gram language model (`*.lm.bin`, or `*.lm`) and the pronunciation
 * dictionary (`*.dict`). Debian's pocketsphinx-en-us layout is
 * `en-us/` + `en-us.lm.bin` + `cmudict-en-us.dict`.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ModelFiles {
  hmm: string;
  lm: string;
  dict: string;
}

/** Thrown when the model directory is missing or incomplete. */
export class ModelNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelNotFoundError';
  }
}

function listDirectory(directory: string): fs.Dirent[] {
  try {
    return fs.readdirSync(directory, { withFileTypes: true });
  } catch {
    throw new ModelNotFoundError(`PocketSphinx model directory ${directory} cannot be read`);
  }
}

/** Resolves the model files in `modelDir`, or throws ModelNotFoundError naming what is missing. */
export function resolveModelFiles(modelDir: string): ModelFiles {
  const directory = path.resolve(modelDir);
  const entries = listDirectory(directory);
  const files = entries.filter((entry) => entry.isFile()).map((entry) => entry.name).sort();

  let hmm: string | undefined;
  if (files.includes('mdef')) hmm = directory;
  else {
    const folder = entries.find(
      (entry) => entry.isDirectory() && fs.existsSync(path.join(directory, entry.name, 'mdef')),
    );
    if (folder) hmm = path.join(directory, folder.name);
  }
  // Prefer a word language model over a phone one (`en-us-phone.lm.bin`).
  const lmCandidates = files.filter((name) => name.endsWith('.lm.bin') || name.endsWith('.lm'));
  const lm = lmCandidates.find((name) => !name.includes('phone')) ?? lmCandidates[0];
  const dict = files.find((name) => name.endsWith('.dict'));

  const missing = [
    hmm ? null : 'acoustic model (a folder with mdef)',
    lm ? null : 'language model (*.lm.bin)',
    dict ? null : 'dictionary (*.dict)',
  ].filter(Boolean);
  if (!hmm || !lm || !dict) {
    throw new ModelNotFoundError(`PocketSphinx model in ${directory} lacks ${missing.join(', ')}`);
  }
  return { hmm, lm: path.join(directory, lm), dict: path.join(directory, dict) };
}
