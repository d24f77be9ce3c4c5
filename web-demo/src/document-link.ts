// One document per URL: the id is the `doc` query parameter.

const ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

/** Returns a new random document id of 12 characters (60 bits). */
export function newDocumentId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join("");
}

/** Returns the document id in the address bar, adding a new one when it is missing or invalid. */
export function currentDocumentId(): string {
  const url = new URL(window.location.href);
  const id = url.searchParams.get("doc");
  // The server accepts 1 to 128 ASCII letters, digits, '-', '_' or '.',
  // not starting with '.'; the demo appends ".board" and ".text" to it.
  if (id && /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,100}$/.test(id)) {
    return id;
  }
  const fresh = newDocumentId();
  url.searchParams.set("doc", fresh);
  window.history.replaceState(null, "", url);
  return fresh;
}

/** Returns the link that opens `id`. */
export function documentLink(id: string): string {
  const url = new URL(window.location.href);
  url.search = "";
  url.hash = "";
  url.searchParams.set("doc", id);
  return url.toString();
}
