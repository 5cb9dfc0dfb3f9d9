/**
 * Lets one PocketSphinx decoder take a new stream as a freshly made decoder would: `ps_start_stream`
 * numbers frames from zero again and resets the front end, and the live cepstral mean (the state
 * carried from utterance to utterance) is put back to what it was after `ps_init`. Without the mean,
 * a reused decoder's words differ from a new one's (measured: same words, other confidences and ends).
 *
 * The mean lives in sphinxbase's `cmn_t`, reached through `feat_t.cmn_struct`: there is no accessor,
 * so the offsets below are those of Debian bookworm's libsphinxbase3 (5prealpha) on 64-bit Linux.
 * They are checked against `cmn_live_get` and the cepstrum length before use; when the checks fail the
 * decoder is simply not reused (`createStreamReset` returns null).
 *
 * Runs inside the decoder worker (synchronous C calls) under Node's type stripping: erasable TypeScript.
 */
import type { Pointer } from './binding.ts';

const FEAT_CEPSIZE_OFFSET = 16;
const FEAT_CMN_STRUCT_OFFSET = 88;
const CMN_MEAN_OFFSET = 0;
const CMN_SUM_OFFSET = 16;
const CMN_NFRAME_OFFSET = 24;
const CMN_VECLEN_OFFSET = 28;

/** Resets `decoder` (between `ps_end_utt` and the next `ps_start_utt`) to its state right after `ps_init`. */
export type StreamReset = () => void;

/** Snapshots the fresh decoder's cepstral mean; call right after `ps_init`, before any audio. */
export async function createStreamReset(library: string, decoder: Pointer): Promise<StreamReset | null> {
  try {
    const koffi = (await import('koffi')).default;
    const lib = koffi.load(library);
    const psStartStream = lib.func('int ps_start_stream(void *ps)');
    const psGetFeat = lib.func('void *ps_get_feat(void *ps)');
    const cmnLiveGet = lib.func('void cmn_live_get(void *cmn, _Out_ float *vec)');
    const feat = psGetFeat(decoder);
    if (!feat) return null;
    const cepsize = koffi.decode(feat, FEAT_CEPSIZE_OFFSET, 'int32') as number;
    const cmn = koffi.decode(feat, FEAT_CMN_STRUCT_OFFSET, 'void *') as Pointer | null;
    if (!cmn || !(cepsize > 0 && cepsize <= 64) || koffi.decode(cmn, CMN_VECLEN_OFFSET, 'int32') !== cepsize) return null;
    const mean = koffi.decode(cmn, CMN_MEAN_OFFSET, 'void *') as Pointer;
    const sum = koffi.decode(cmn, CMN_SUM_OFFSET, 'void *') as Pointer;
    const vector = koffi.array('float', cepsize);
    const fresh = {
      mean: koffi.decode(mean, 0, vector) as number[],
      sum: koffi.decode(sum, 0, vector) as number[],
      nframe: koffi.decode(cmn, CMN_NFRAME_OFFSET, 'int32') as number,
    };
    const viaApi = new Float32Array(cepsize);
    cmnLiveGet(cmn, viaApi);
    if (!Array.from(viaApi).every((value, index) => value === Math.fround(fresh.mean[index]))) return null;
    return () => {
      if (psStartStream(decoder) < 0) throw new Error('ps_start_stream failed');
      koffi.encode(mean, 0, vector, fresh.mean);
      koffi.encode(sum, 0, vector, fresh.sum);
      koffi.encode(cmn, CMN_NFRAME_OFFSET, 'int32', fresh.nframe);
    };
  } catch {
    return null;
  }
}
