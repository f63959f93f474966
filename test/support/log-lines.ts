/** The JSON lines of a pino log (anything else on the stream is skipped). */
export interface LogLine {
  level: number;
  msg?: string;
  [field: string]: unknown;
}

export function logLines(text: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // A line cut off mid-write.
    }
  }
  return lines;
}

export function linesWithMessage(text: string, msg: string): LogLine[] {
  return logLines(text).filter((line) => line.msg === msg);
}
