// Display names and colors of users. A user may choose a name, which this
// browser keeps in localStorage and presence carries to the others. A
// user who chose none gets a name derived from their site id, the same on
// every page.

const COLORS = ["#e03131", "#2f9e44", "#1971c2", "#f08c00", "#9c36b5", "#0c8599", "#c2255c", "#5c940d"];
const ANIMALS = ["Otter", "Heron", "Lynx", "Badger", "Falcon", "Marten", "Ibex", "Puffin", "Gecko", "Wombat"];

/** The localStorage key of the name the user chose. */
const NAME_KEY = "echostream-user-name";

/** The maximum length of a name, in characters: the server's limit. */
export const MAX_NAME_CHARS = 64;

export interface Identity {
  name: string;
  /** `#rrggbb`. */
  color: string;
}

/** Returns the name and color of the user of site `site` (16 hex digits). */
export function identityOf(site: string): Identity {
  // FNV-1a over the characters, so that nearby ids get unrelated names.
  let hash = 0x811c9dc5;
  for (let i = 0; i < site.length; i++) {
    hash ^= site.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const animal = ANIMALS[hash % ANIMALS.length];
  const number = 10 + (Math.floor(hash / ANIMALS.length) % 90);
  const color = COLORS[Math.floor(hash / 900) % COLORS.length];
  return { name: `${animal} ${number}`, color };
}

/**
 * Returns a name as the server accepts it: trimmed, without control
 * characters, at most `MAX_NAME_CHARS` characters. Returns null when
 * nothing is left.
 */
export function cleanName(name: string): string | null {
  const printable = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim();
  const clipped = [...printable].slice(0, MAX_NAME_CHARS).join("").trim();
  return clipped === "" ? null : clipped;
}

/** Returns the identity of this browser's user on site `site`: the chosen name, if any, and the site's color. */
export function ownIdentity(site: string): Identity {
  const fallback = identityOf(site);
  const stored = cleanName(localStorage.getItem(NAME_KEY) ?? "");
  return { name: stored ?? fallback.name, color: fallback.color };
}

/** Stores the name the user chose, or removes the stored one when `name` has no printable character. */
export function saveName(name: string): void {
  const clean = cleanName(name);
  if (clean === null) {
    localStorage.removeItem(NAME_KEY);
  } else {
    localStorage.setItem(NAME_KEY, clean);
  }
}
