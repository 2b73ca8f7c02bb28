/**
 * Index of the `}` that closes a brace opened just before `from`, skipping nested braces and quoted
 * strings (with their escapes); -1 when it is not closed. Enough for HCL interpolations and for a
 * one-line block, which is all Keywarden looks into this way.
 */
export function closingBrace(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}
