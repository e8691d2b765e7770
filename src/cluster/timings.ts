/**
 * Where a worker's time goes per input (`netrisk worker --log-timings`, the cluster bench's breakdown): wall and CPU
 * time of each phase of handling one input in one partition. CPU time is the process's (process.cpuUsage): exact for
 * the synchronous phases (apply, snapshot), while an awaited phase (publish, store, ack) also counts what other
 * partitions of the same worker ran while it waited.
 * @module
 */

/** The phases of one input: the live core, its outputs out, its checkpoint (snapshot built, row and events stored), its acknowledgement. */
export type InputPhase = "apply" | "publish" | "snapshot" | "store" | "ack";

/** Milliseconds of wall and CPU time per phase (phases that did not run are absent). */
export type PhaseTimes = Partial<Record<InputPhase, { readonly wallMs: number; readonly cpuMs: number }>>;

export interface InputTimer {
  /** Time an awaited step as `phase` (added up when a phase runs more than once). */
  time<T>(phase: InputPhase, step: () => Promise<T>): Promise<T>;
  /** Time a synchronous step as `phase`. */
  timeSync<T>(phase: InputPhase, step: () => T): T;
  /** The phases timed since the last take, and start again. */
  take(): PhaseTimes;
}

const cpuMsNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** A timer that measures (`enabled`) or only runs the steps (no clock read at all). */
export function inputTimer(enabled: boolean): InputTimer {
  if (!enabled) return { time: (_p, step) => step(), timeSync: (_p, step) => step(), take: () => ({}) };
  let times: Record<string, { wallMs: number; cpuMs: number }> = {};
  const add = (phase: InputPhase, wall0: number, cpu0: number): void => {
    const t = (times[phase] ??= { wallMs: 0, cpuMs: 0 });
    t.wallMs += performance.now() - wall0;
    t.cpuMs += cpuMsNow() - cpu0;
  };
  return {
    async time(phase, step) {
      const wall0 = performance.now();
      const cpu0 = cpuMsNow();
      try {
        return await step();
      } finally {
        add(phase, wall0, cpu0);
      }
    },
    timeSync(phase, step) {
      const wall0 = performance.now();
      const cpu0 = cpuMsNow();
      try {
        return step();
      } finally {
        add(phase, wall0, cpu0);
      }
    },
    take() {
      const out = times;
      times = {};
      return out;
    },
  };
}
