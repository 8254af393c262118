// `codeAt.call(s, i)`: s.charCodeAt(i) without the heap cost XS charges for reading a
// property of a primitive string.
//
// XS wraps a primitive string in a temporary object for every property read: each
// `s.charCodeAt(i)` costs about four heap slots and each `s.length` two (measured in
// xsnap-worker; a 20-character address checked the plain way cost 82 slots). The function
// read once and called with `.call` allocates nothing; loops also read `length` once. Read
// from a value (""), never from a prototype: Espruino keeps its built-ins on the values and
// has none on String's prototype (test/build/espruino-gate.ts).
export const codeAt = "".charCodeAt;
