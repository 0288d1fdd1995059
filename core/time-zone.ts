/**
 * The UTC offset of an IANA time zone at an instant, from the runtime's ICU data: the milliseconds to
 * add to the instant to get the local wall-clock time. Throws a `RangeError` for an unknown zone.
 * The calendar source and the sensor's time filter both build on it.
 */
export function zoneOffset(name: string): (instantMs: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return (instantMs) => {
    const whole = Math.floor(instantMs / 1000) * 1000;
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(whole)) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const local = Date.UTC(
      parts.year ?? 1970,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
      parts.second ?? 0,
    );
    return local - whole;
  };
}
