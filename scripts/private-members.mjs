// Which property names the Espruino build may rename (terser `mangle.properties`).
//
// Renaming a property is safe only when every place that reads or writes it is renamed
// the same way, inside the bundle. TypeScript already proves that for `private` class
// members: the compiler rejects any use outside the class. So the names to rename are
// those declared `private` (fields, methods, accessors, parameter properties) in the
// sources the build compiles, minus every name that appears anywhere else in a way that
// could cross a boundary:
//   - any non-private declaration of the same name (interface and type members, public
//     class members, object literal keys, enum members), so an interface implemented in
//     another module, a config JSON key or a persisted record keeps its name;
//   - any property access that does not resolve to a private member (platform globals
//     such as Serial.write, values typed `any`/`unknown`, library members);
//   - any string literal or template part spelled like the name (o["name"], "name" in o,
//     JSON texts);
//   - names a platform calls by name (RESERVED).
// No source follows a naming convention for this: the `private` keyword is the convention,
// and the compiler enforces it. test/build/espruino-gate.test.ts boots the renamed bundle.
import ts from "typescript";
import { dirname, resolve } from "node:path";

/** Called by Espruino itself. */
const RESERVED = ["onInit"];

const PRIVATE_KINDS = new Set([
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
  ts.SyntaxKind.Parameter,
]);

const NAMED_MEMBER_KINDS = new Set([
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
  ts.SyntaxKind.PropertySignature,
  ts.SyntaxKind.MethodSignature,
  ts.SyntaxKind.PropertyAssignment,
  ts.SyntaxKind.ShorthandPropertyAssignment,
  ts.SyntaxKind.EnumMember,
]);

const IDENT = /^[A-Za-z_$][\w$]*$/;

function isPrivateMember(decl) {
  if (!PRIVATE_KINDS.has(decl.kind)) return false;
  if (decl.kind === ts.SyntaxKind.Parameter && !ts.isParameterPropertyDeclaration(decl, decl.parent)) return false;
  return (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Private) !== 0;
}

/**
 * @param {string} tsconfigPath the configuration the build compiles with
 * @returns {{ mangled: string[], kept: string[] }} private names safe to rename, and
 *   private names kept because they also appear across a boundary
 */
export function privateMemberNames(tsconfigPath) {
  const read = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(resolve(tsconfigPath)));
  const program = ts.createProgram(parsed.fileNames, { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  const priv = new Set();
  const pub = new Set(RESERVED);

  const visit = (node) => {
    if (isPrivateMember(node)) {
      if (ts.isIdentifier(node.name)) priv.add(node.name.text);
    } else if (NAMED_MEMBER_KINDS.has(node.kind) && node.name) {
      if (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) pub.add(node.name.text);
      else pub.add("\0computed"); // computed keys are banned in the core; never guess
    }
    if (ts.isPropertyAccessExpression(node)) {
      const symbol = checker.getSymbolAtLocation(node.name);
      const decls = symbol && symbol.declarations;
      if (!decls || decls.length === 0 || !decls.every(isPrivateMember)) pub.add(node.name.text);
    }
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      // Every word of every string: conservative, and cheap.
      for (const word of node.text.split(/[^\w$]+/)) if (IDENT.test(word)) pub.add(word);
    }
    ts.forEachChild(node, visit);
  };
  for (const file of program.getSourceFiles()) {
    if (program.isSourceFileDefaultLibrary(file)) continue;
    visit(file);
  }
  const mangled = [...priv].filter((n) => !pub.has(n)).sort();
  const kept = [...priv].filter((n) => pub.has(n)).sort();
  return { mangled, kept };
}

/** A terser `mangle.properties.regex` matching exactly the given names (never matches when empty). */
export function exactNames(names) {
  return names.length ? new RegExp(`^(?:${names.join("|")})$`) : /^\b$/;
}
