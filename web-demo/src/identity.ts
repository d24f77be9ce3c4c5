// This tab's display name and color. Each tab is its own user, so the
// values live in sessionStorage; a name the user types is kept there too.

const COLORS = ["#e03131", "#2f9e44", "#1971c2", "#f08c00", "#9c36b5", "#0c8599", "#c2255c", "#5c940d"];
const ANIMALS = ["Otter", "Heron", "Lynx", "Badger", "Falcon", "Marten", "Ibex", "Puffin", "Gecko", "Wombat"];

export interface Identity {
  name: string;
  color: string;
}

export function loadIdentity(): Identity {
  const stored = sessionStorage.getItem("echostream-identity");
  if (stored) {
    try {
      const parsed = JSON.parse(stored) as Identity;
      if (typeof parsed.name === "string" && typeof parsed.color === "string") {
        return parsed;
      }
    } catch {
      // A corrupt entry is replaced below.
    }
  }
  const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)];
  const identity = { name: `${pick(ANIMALS)} ${10 + Math.floor(Math.random() * 90)}`, color: pick(COLORS) };
  saveIdentity(identity);
  return identity;
}

export function saveIdentity(identity: Identity): void {
  sessionStorage.setItem("echostream-identity", JSON.stringify(identity));
}
