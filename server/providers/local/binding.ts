/**
 * koffi binding to Debian bookworm's PocketSphinx (libpocketsphinx3, the sphinxbase-era
 * "5prealpha" API). The library is opened lazily, on the first call to `loadPocketSphinx`, and
 * koffi itself is imported dynamically, so a machine without either only gets an
 * `EngineUnavailableError`, never a crash at import time.
 *
 * Every function here is a synchronous C call: use them inside a worker thread only (the API's
 * event loop must never wait on the decoder). `pocketSphinxAvailability` is the exception: it
 * only opens the library and reads the model directory.
 *
 * This file runs inside the decoder worker through Node's built-in type stripping, so it keeps
 * to erasable TypeScript (no enums, no parameter properties) and uses `import type` for types.
 */
import { resolveModelFiles } from './model.ts';

/** An opaque C pointer as koffi hands it back. */
export type Pointer = object;

/** The C functions the decoder uses, with koffi's marshalling already declared. */
export interface PocketSphinxApi {
  readonly library: string;
  ps_args(): Pointer;
  /** `cmd_ln_init(NULL, ps_args(), strict, "-opt", "value", ..., NULL)`; the NULL is added here. */
  cmdLnInit(args: readonly string[]): Pointer | null;
  cmd_ln_free_r(config: Pointer): number;
  ps_init(config: Pointer): Pointer | null;
  ps_free(decoder: Pointer): number;
  ps_start_utt(decoder: Pointer): number;
  ps_end_utt(decoder: Pointer): number;
  ps_process_raw(decoder: Pointer, samples: Int16Array, count: number, noSearch: number, fullUtt: number): number;
  ps_get_hyp(decoder: Pointer, outBestScore: number[]): string | null;
  ps_get_in_speech(decoder: Pointer): number;
  ps_get_n_frames(decoder: Pointer): number;
  ps_get_logmath(decoder: Pointer): Pointer;
  ps_seg_iter(decoder: Pointer): Pointer | null;
  ps_seg_next(segment: Pointer): Pointer | null;
  ps_seg_word(segment: Pointer): string;
  ps_seg_frames(segment: Pointer, outStart: number[], outEnd: number[]): void;
  ps_seg_prob(segment: Pointer, outAscr: number[], outLscr: number[], outLback: number[]): number;
  logmath_exp(logmath: Pointer, logValue: number): number;
  /** Adds a word (and its phones, space-separated) to the dictionary and language model; `update` 1 rebuilds the search. */
  ps_add_word(decoder: Pointer, word: string, phones: string, update: number): number;
}

/** The library, its symbols or the model cannot be used on this machine. */
export class EngineUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineUnavailableError';
  }
}

const loaded = new Map<string, Promise<PocketSphinxApi>>();

/**
 * Opens `library` (a soname such as `libpocketsphinx.so.3` or a path) once per thread and binds
 * the functions above. sphinxbase's functions (`cmd_ln_*`, `logmath_exp`) are found through the
 * PocketSphinx handle, whose dependencies dlsym searches too.
 * @throws EngineUnavailableError when koffi, the library or one of its symbols is missing.
 */
export function loadPocketSphinx(library: string): Promise<PocketSphinxApi> {
  let api = loaded.get(library);
  if (!api) {
    api = bind(library);
    loaded.set(library, api);
    api.catch(() => loaded.delete(library));
  }
  return api;
}

async function bind(library: string): Promise<PocketSphinxApi> {
  let koffi: (typeof import('koffi'))['default'];
  try {
    koffi = (await import('koffi')).default;
  } catch (error) {
    throw new EngineUnavailableError(`koffi (FFI) cannot be loaded: ${(error as Error).message}`);
  }
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(library);
  } catch (error) {
    throw new EngineUnavailableError(`PocketSphinx library ${library} cannot be loaded: ${(error as Error).message}`);
  }
  try {
    const cmd_ln_init = lib.func('void *cmd_ln_init(void *inout, void *defn, int strict, ...)');
    const ps_args = lib.func('void *ps_args(void)');
    const api: PocketSphinxApi = {
      library,
      ps_args,
      cmdLnInit(args) {
        const variadic: unknown[] = [];
        for (const arg of args) variadic.push('const char *', arg);
        variadic.push('const char *', null);
        return cmd_ln_init(null, ps_args(), 1, ...variadic);
      },
      cmd_ln_free_r: lib.func('int cmd_ln_free_r(void *config)'),
      ps_init: lib.func('void *ps_init(void *config)'),
      ps_free: lib.func('int ps_free(void *ps)'),
      ps_start_utt: lib.func('int ps_start_utt(void *ps)'),
      ps_end_utt: lib.func('int ps_end_utt(void *ps)'),
      ps_process_raw: lib.func(
        'int ps_process_raw(void *ps, const int16_t *data, size_t n_samples, int no_search, int full_utt)',
      ),
      ps_get_hyp: lib.func('const char *ps_get_hyp(void *ps, _Out_ int32_t *out_best_score)'),
      ps_get_in_speech: lib.func('uint8_t ps_get_in_speech(void *ps)'),
      ps_get_n_frames: lib.func('int ps_get_n_frames(void *ps)'),
      ps_get_logmath: lib.func('void *ps_get_logmath(void *ps)'),
      ps_seg_iter: lib.func('void *ps_seg_iter(void *ps)'),
      ps_seg_next: lib.func('void *ps_seg_next(void *seg)'),
      ps_seg_word: lib.func('const char *ps_seg_word(void *seg)'),
      ps_seg_frames: lib.func('void ps_seg_frames(void *seg, _Out_ int *out_sf, _Out_ int *out_ef)'),
      ps_seg_prob: lib.func(
        'int32_t ps_seg_prob(void *seg, _Out_ int32_t *out_ascr, _Out_ int32_t *out_lscr, _Out_ int32_t *out_lback)',
      ),
      logmath_exp: lib.func('double logmath_exp(void *lmath, int logb_p)'),
      ps_add_word: lib.func('int ps_add_word(void *ps, const char *word, const char *phones, int update)'),
    };
    return api;
  } catch (error) {
    throw new EngineUnavailableError(
      `PocketSphinx library ${library} lacks an expected function (is it libpocketsphinx.so.3?): ${(error as Error).message}`,
    );
  }
}

/**
 * Whether the engine can run here: the library opens, its functions are present, and the model
 * directory holds an acoustic model, a language model and a dictionary. Cheap (no decoder is
 * created); never throws.
 */
export async function pocketSphinxAvailability(
  library: string,
  modelDir: string,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await loadPocketSphinx(library);
    resolveModelFiles(modelDir);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
