// Which stretches of a long recording are the same voice. Pure: the audio has already been turned into
// voice signatures (media/voiceSignature.ts); speakerLinking.ts reads and writes the rows.
import { poolVoiceStats, signatureOf, emptyVoiceStats, voiceDistance, type VoiceSignature, type VoiceStats } from '../../media/voiceSignature.ts';

/**
 * One piece of evidence: everything one engine labelled as one speaker within one chunk (`label`
 * set), or one unlabelled segment (`label` null: an engine without speakers, LOCAL).
 */
export interface SpeakerUnit {
  key: string;
  chunk: number;
  label: string | null;
  /** Its first moment, seconds: speakers are numbered in order of first appearance. */
  start: number;
  stats: VoiceStats;
}

export interface ClusterOptions {
  /** Voices closer than this (voiceDistance) are taken for the same speaker. */
  threshold: number;
  /** Most speakers one file is given; beyond, a voice joins the nearest one. */
  maxSpeakers: number;
}

/** Voiced frames (20 ms) below which an unlabelled cluster is too thin to stand as a speaker of its own. */
const MIN_CLUSTER_FRAMES = 50;

interface Cluster {
  stats: VoiceStats;
  signature: VoiceSignature | null;
  units: SpeakerUnit[];
  /** Chunks where an engine labelled someone into this cluster: another label of those chunks is someone else. */
  labelledChunks: Set<number>;
}

/**
 * Gives every unit a speaker number (0-based, in order of first appearance). Two labels one engine
 * gave within one chunk always stay two speakers; otherwise units whose voices are within
 * `threshold` join. A unit without a usable signature (too little voiced audio) joins the speaker
 * nearest to it in time that it may join.
 */
export function clusterSpeakers(units: readonly SpeakerUnit[], options: ClusterOptions): Map<string, number> {
  const ordered = [...units].sort((a, b) => a.start - b.start || a.chunk - b.chunk);
  const signatures = new Map(ordered.map((unit) => [unit.key, signatureOf(unit.stats)]));
  const clusters: Cluster[] = [];
  const clusterOf = new Map<string, Cluster>();
  const mayJoin = (unit: SpeakerUnit, cluster: Cluster) => unit.label === null || !cluster.labelledChunks.has(unit.chunk);
  const join = (unit: SpeakerUnit, cluster: Cluster) => {
    cluster.units.push(unit);
    poolVoiceStats(cluster.stats, unit.stats);
    cluster.signature = signatureOf(cluster.stats);
    if (unit.label !== null) cluster.labelledChunks.add(unit.chunk);
    clusterOf.set(unit.key, cluster);
  };
  const open = (unit: SpeakerUnit) => {
    const cluster: Cluster = { stats: emptyVoiceStats(), signature: null, units: [], labelledChunks: new Set() };
    clusters.push(cluster);
    join(unit, cluster);
  };
  const place = (unit: SpeakerUnit, cluster: Cluster | null, distance: number) => {
    if (cluster && (distance < options.threshold || clusters.length >= options.maxSpeakers)) join(unit, cluster);
    else open(unit);
  };

  // Units with a signature, in time order; the labelled units of one chunk are matched together,
  // closest pairs first, so one label cannot take the speaker another label of the chunk fits better.
  const signed = ordered.filter((unit) => signatures.get(unit.key));
  for (let i = 0; i < signed.length; ) {
    const unit = signed[i];
    if (unit.label === null) {
      const { cluster, distance } = nearest(unit, signatures.get(unit.key)!, clusters, mayJoin);
      place(unit, cluster, distance);
      i++;
      continue;
    }
    const chunkUnits: SpeakerUnit[] = [];
    for (; i < signed.length && signed[i].label !== null && signed[i].chunk === unit.chunk; i++) chunkUnits.push(signed[i]);
    const pairs = chunkUnits.flatMap((u) =>
      clusters.filter((c) => mayJoin(u, c) && c.signature).map((c) => ({ u, c, distance: voiceDistance(signatures.get(u.key)!, c.signature!) })),
    );
    pairs.sort((a, b) => a.distance - b.distance);
    const taken = new Set<Cluster>();
    const placed = new Set<SpeakerUnit>();
    for (const { u, c, distance } of pairs) {
      if (placed.has(u) || taken.has(c) || distance >= options.threshold) continue;
      join(u, c);
      taken.add(c);
      placed.add(u);
    }
    for (const u of chunkUnits) {
      if (placed.has(u)) continue;
      const free = clusters.filter((c) => !taken.has(c) && mayJoin(u, c));
      const { cluster, distance } = nearest(u, signatures.get(u.key)!, free, () => true);
      place(u, cluster, distance);
      taken.add(clusterOf.get(u.key)!);
    }
  }

  // Thin unlabelled clusters (a cough, a fragment) join the nearest voice.
  for (const cluster of [...clusters]) {
    if (cluster.labelledChunks.size > 0 || cluster.stats.frames >= MIN_CLUSTER_FRAMES || !cluster.signature) continue;
    const others = clusters.filter((c) => c !== cluster && c.signature);
    if (others.length === 0) continue;
    const target = others.reduce((best, c) => (voiceDistance(cluster.signature!, c.signature!) < voiceDistance(cluster.signature!, best.signature!) ? c : best));
    for (const unit of cluster.units) join(unit, target);
    clusters.splice(clusters.indexOf(cluster), 1);
  }

  // Units without a signature: the speaker nearest in time they may join.
  const placedUnits = ordered.filter((unit) => clusterOf.has(unit.key));
  for (const unit of ordered) {
    if (signatures.get(unit.key)) continue;
    let best: Cluster | null = null;
    let bestGap = Infinity;
    for (const other of placedUnits) {
      const cluster = clusterOf.get(other.key)!;
      const gap = Math.abs(other.start - unit.start);
      if (gap < bestGap && mayJoin(unit, cluster)) {
        best = cluster;
        bestGap = gap;
      }
    }
    if (best) join(unit, best);
    else open(unit);
  }

  const numbers = new Map<Cluster, number>();
  const result = new Map<string, number>();
  for (const unit of ordered) {
    const cluster = clusterOf.get(unit.key)!;
    if (!numbers.has(cluster)) numbers.set(cluster, numbers.size);
    result.set(unit.key, numbers.get(cluster)!);
  }
  return result;
}

function nearest(
  unit: SpeakerUnit,
  signature: VoiceSignature,
  clusters: readonly Cluster[],
  mayJoin: (unit: SpeakerUnit, cluster: Cluster) => boolean,
): { cluster: Cluster | null; distance: number } {
  let cluster: Cluster | null = null;
  let distance = Infinity;
  for (const candidate of clusters) {
    if (!candidate.signature || !mayJoin(unit, candidate)) continue;
    const d = voiceDistance(signature, candidate.signature);
    if (d < distance) {
      cluster = candidate;
      distance = d;
    }
  }
  return { cluster, distance };
}
