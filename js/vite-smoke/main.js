// A page that imports the package the way an application would, built by
// the bundler smoke test with Vite.
import { TextDocument, TextOp, textType } from "echostream";

const doc = new TextDocument("héllo");
doc.apply(TextOp.insert(5, " 😀"));
document.getElementById("out").textContent = `${doc.toString()}|${doc.lengthUtf16}|${textType.apply("ab", [1, "x"])}`;
