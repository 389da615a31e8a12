/** redis://user:secret@host → redis://user:***@host: URLs end up in error output pasted into tickets. */
export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
