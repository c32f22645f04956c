// Splits a text stream into lines the way Java's readLine does (Maelstrom reads stdout that way):
// "\n", "\r" and "\r\n" each end a line. A "\r" at the end of one chunk followed by "\n" at the start
// of the next is still one line ending.
export class LineSplitter {
  private partial = '';
  private afterCarriageReturn = false;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10 /* \n */) {
        if (this.afterCarriageReturn && i === start && this.partial === '') {
          // The "\n" of a "\r\n" whose "\r" already ended the line.
          this.afterCarriageReturn = false;
          start = i + 1;
          continue;
        }
        this.emit(chunk.slice(start, i));
        start = i + 1;
        this.afterCarriageReturn = false;
      } else if (c === 13 /* \r */) {
        this.emit(chunk.slice(start, i));
        start = i + 1;
        this.afterCarriageReturn = true;
      } else {
        this.afterCarriageReturn = false;
      }
    }
    this.partial += chunk.slice(start);
  }

  /** End of stream: a last line without terminator still counts (readLine returns it). */
  end(): void {
    if (this.partial !== '') this.emit('');
  }

  private emit(tail: string): void {
    const line = this.partial + tail;
    this.partial = '';
    this.onLine(line);
  }
}
