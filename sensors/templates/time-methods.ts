import type { FuncDef } from './functions.ts';
import { formatGoLayout, goTimeString } from './go-time.ts';
import { GoInt, GoTime } from './values.ts';

/** The methods of time.Time a template can call, such as `now.Unix` or `(now).Format "2006"`. */
export const TIME_METHODS: Record<string, FuncDef> = {
  Unix: { params: [], call: ([t]) => GoInt.of(Math.floor((t as GoTime).ms / 1000), 'int64') },
  UnixMilli: { params: [], call: ([t]) => GoInt.of((t as GoTime).ms, 'int64') },
  UnixNano: {
    params: [],
    call: ([t]) =>
      new GoInt(BigInt((t as GoTime).ms) * 1_000_000n + BigInt((t as GoTime).extraNanos), 'int64'),
  },
  Year: { params: [], call: ([t]) => GoInt.of(new Date((t as GoTime).ms).getUTCFullYear()) },
  Day: { params: [], call: ([t]) => GoInt.of(new Date((t as GoTime).ms).getUTCDate()) },
  Hour: { params: [], call: ([t]) => GoInt.of(new Date((t as GoTime).ms).getUTCHours()) },
  Minute: { params: [], call: ([t]) => GoInt.of(new Date((t as GoTime).ms).getUTCMinutes()) },
  Second: { params: [], call: ([t]) => GoInt.of(new Date((t as GoTime).ms).getUTCSeconds()) },
  Nanosecond: { params: [], call: ([t]) => GoInt.of((t as GoTime).nanosecond) },
  Format: { params: ['string'], call: ([t, layout]) => formatGoLayout(t as GoTime, layout as string) },
  String: { params: [], call: ([t]) => goTimeString(t as GoTime) },
  UTC: { params: [], call: ([t]) => new GoTime((t as GoTime).ms, (t as GoTime).extraNanos) },
  IsZero: {
    params: [],
    call: ([t]) => (t as GoTime).ms === -62135596800000 && (t as GoTime).extraNanos === 0,
  },
};
