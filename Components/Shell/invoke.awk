# The component's logic: reads an invoke request (JSON) and prints the invoke response.
# A tiny JSON walker, because busybox has no JSON tool; it copies values as text, so numbers and
# escapes pass through untouched. Actions: echo (the message body as a data emit) and
# uppercase (the same with every string value upper-cased; keys and escapes stay as they are).
BEGIN { RS = "\001" }
{ json = json $0 }
END {
  pos = 1; action = ""; body = "null"
  ws(); if (ch() != "{") fail()
  pos++
  while (1) {
    ws(); if (ch() == "}") break
    key = str(); ws(); if (ch() != ":") fail(); pos++; ws()
    if (key == "\"action\"") action = str()
    else if (key == "\"message\"") message()
    else value(0)
    ws(); if (ch() == ",") { pos++; continue }
    if (ch() != "}") fail()
    break
  }
  if (action == "\"echo\"") emit(body)
  else if (action == "\"uppercase\"") { pos = 1; json = body; emit(value(1)) }
  else printf "{\"emits\":[{\"kind\":\"error\",\"error\":\"busybox-echo offers the actions echo and uppercase, not %s\"}]}", (action == "" ? "none" : substr(action, 2, length(action) - 2))
  exit 0
}
function emit(v) { printf "{\"emits\":[{\"kind\":\"data\",\"body\":%s}]}", v }
function fail() { exit 1 }
function ch() { return substr(json, pos, 1) }
function ws() { while (index(" \t\r\n", ch()) > 0 && pos <= length(json)) pos++ }
function message(   k) {
  if (ch() != "{") { value(0); return }
  pos++
  while (1) {
    ws(); if (ch() == "}") { pos++; return }
    k = str(); ws(); if (ch() != ":") fail(); pos++; ws()
    if (k == "\"body\"") body = value(0); else value(0)
    ws(); if (ch() == ",") { pos++; continue }
    if (ch() != "}") fail()
    pos++; return
  }
}
# A string token, quotes included; with upper, its characters (not its escapes) upper-cased.
function str(upper,   out, c) {
  if (ch() != "\"") fail()
  out = "\""; pos++
  while (pos <= length(json)) {
    c = ch()
    if (c == "\\") { out = out substr(json, pos, 2); pos += 2; continue }
    pos++
    if (c == "\"") return out "\""
    out = out (upper ? toupper(c) : c)
  }
  fail()
}
# Any value, returned as text; with upper, string values inside it are upper-cased.
function value(upper,   out, c, k) {
  c = ch()
  if (c == "\"") return str(upper)
  if (c == "{" || c == "[") {
    out = c; pos++
    while (1) {
      ws()
      if (ch() == (c == "{" ? "}" : "]")) { pos++; return out (c == "{" ? "}" : "]") }
      if (c == "{") { k = str(0); ws(); if (ch() != ":") fail(); pos++; ws(); out = out k ":" }
      out = out value(upper); ws()
      if (ch() == ",") { out = out ","; pos++; continue }
      if (ch() != (c == "{" ? "}" : "]")) fail()
    }
  }
  out = ""
  while (pos <= length(json) && index(",}] \t\r\n", ch()) == 0) { out = out ch(); pos++ }
  if (out == "") fail()
  return out
}
