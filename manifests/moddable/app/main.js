// The bundled cellmail app: the library module started with the manifest's configuration.
// An app of your own includes manifests/moddable/cellmail.json the same way and keeps what
// cellmail() returns to raise alarms from its code (docs/targets.md, "cellmail in your app").
import cellmail from "cellmail";

export default function main() {
	cellmail();
}
