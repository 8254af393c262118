// The baseline for espruino.baseline.handlerMsPerMail: the plain AT parser Espruino code
// usually has, in the shape of Espruino's own `AT` module: append the chunk to a string,
// cut lines at "\r\n" with indexOf, dispatch each line by comparing its start with a table
// of handlers, else treat it as a result or an echo. Plain Espruino JavaScript (loaded
// into the interpreter by bench/espruino/prelude.ts); nothing more than that on purpose.
function baselineParser() {
  var buf = "";
  var seen = { results: 0, echoes: 0, urcs: 0, other: 0, csq: 0, put: 0 };
  var handlers = {
    "+CSQ:": function (l) { seen.csq = parseInt(l.substr(6)); },
    "+CEREG:": function (l) { seen.urcs++; },
    "+CCLK:": function (l) { seen.urcs++; },
    "+QIACT:": function (l) { seen.urcs++; },
    "+QSMTPBODY:": function (l) { seen.urcs++; },
    "+QSMTPPUT:": function (l) { seen.put = parseInt(l.substr(11)); },
    "+CPIN:": function (l) { seen.urcs++; },
    "RDY": function (l) { seen.urcs++; },
  };
  function line(l) {
    for (var h in handlers) {
      if (l.substr(0, h.length) == h) return handlers[h](l);
    }
    if (l == "OK" || l == "ERROR" || l == "CONNECT" || l.substr(0, 11) == "+CME ERROR:") seen.results++;
    else if (l.substr(0, 2) == "AT") seen.echoes++;
    else seen.other++;
  }
  var onData = function (d) {
    buf += d;
    var i = buf.indexOf("\r\n");
    while (i >= 0) {
      var l = buf.substr(0, i);
      buf = buf.substr(i + 2);
      if (l.length > 0) line(l);
      i = buf.indexOf("\r\n");
    }
  };
  onData.seen = seen;
  return onData;
}
