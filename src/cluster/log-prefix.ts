// Each node's log lines in one terminal, docker-compose style: "node 2 | <line>", one colour per node
// when the output is a terminal (FORCE_COLOR forces colour, NO_COLOR turns it off).
const COLOURS = [36, 33, 35, 32, 34, 31, 96, 93, 95];

export function useColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true;
}

/** Labels are padded to one width so the log text starts in one column: "node 1  |", "cluster |". */
function labelWidth(idWidth: number): number {
  return Math.max('cluster'.length, 'node '.length + idWidth);
}

export function nodePrefix(id: string, index: number, idWidth: number, colour: boolean): string {
  const label = `${`node ${id}`.padEnd(labelWidth(idWidth))} |`;
  return colour ? `\x1b[${COLOURS[index % COLOURS.length]}m${label}\x1b[0m ` : `${label} `;
}

export function supervisorPrefix(idWidth: number, colour: boolean): string {
  const label = `${'cluster'.padEnd(labelWidth(idWidth))} |`;
  return colour ? `\x1b[1m${label}\x1b[0m ` : `${label} `;
}
