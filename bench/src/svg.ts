// The pieces every bench chart is drawn with (dependency-free SVG).

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A whole SVG document on a white background. */
export function svgDocument(width: number, height: number, parts: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** The smallest of 1, 2, 2.5, 5, 10 × a power of ten that is ≥ v: a round top for an axis. */
export function niceCeil(v: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= v) return step * magnitude;
  return 10 * magnitude;
}

export function text(
  x: number,
  y: number,
  content: string,
  attributes: { size?: number; anchor?: 'start' | 'middle' | 'end'; bold?: boolean } = {},
): string {
  const anchor = attributes.anchor === undefined ? '' : ` text-anchor="${attributes.anchor}"`;
  const bold = attributes.bold === true ? ' font-weight="bold"' : '';
  return `<text x="${x}" y="${y}" font-size="${attributes.size ?? 12}"${anchor}${bold}>${escapeXml(content)}</text>`;
}
