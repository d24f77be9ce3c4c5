// Display names and colors of users. The server's presence carries no name
// or color, so every page derives them from the site id in the same way:
// each user is shown alike everywhere, with no extra message.

const COLORS = ["#e03131", "#2f9e44", "#1971c2", "#f08c00", "#9c36b5", "#0c8599", "#c2255c", "#5c940d"];
const ANIMALS = ["Otter", "Heron", "Lynx", "Badger", "Falcon", "Marten", "Ibex", "Puffin", "Gecko", "Wombat"];

export interface Identity {
  name: string;
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
