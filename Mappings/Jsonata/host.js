// FlowActors' side of the JSONata engine, loaded after jsonata.min.js into each V8 engine. The .NET host calls these
// functions with JSON text and reads JSON text back: one host call per batch, not per message or per value.
// jsonata 2.x evaluates asynchronously; every promise it makes settles in microtasks, which V8 runs when the host call
// returns, so the host calls run() and then take() for the batch's results.
var flowactors = (function () {
  'use strict';
  var compiled = [];
  var settled;

  function describe(e) {
    return {
      code: typeof e.code === 'string' ? e.code : null,
      position: typeof e.position === 'number' ? e.position : null,
      message: String(e && e.message !== undefined ? e.message : e)
    };
  }

  // jsonata's $boolean(): how a condition's result reads as true or false.
  function truthy(v) {
    if (v === undefined || v === null) return false;
    switch (typeof v) {
      case 'boolean': return v;
      case 'string': return v.length > 0;
      case 'number': return v !== 0;
      case 'function': return false;
    }
    if (Array.isArray(v)) {
      for (var i = 0; i < v.length; i++) { if (truthy(v[i])) return true; }
      return false;
    }
    return Object.keys(v).length > 0;
  }

  return {
    // Compiles an expression; answers {"index": n} or {"error": {...}} (syntax errors carry code and position).
    compile: function (text) {
      try {
        compiled.push(jsonata(text));
        return JSON.stringify({ index: compiled.length - 1 });
      } catch (e) {
        return JSON.stringify({ error: describe(e) });
      }
    },

    // Evaluates the compiled expressions `indexes` (a JSON array) on every input of `inputs` (a JSON array of
    // {"b": body, "h": headers, "x": executionId}), with `constants` (a JSON object of bindings) beside each input's
    // own ($headers, $executionId). `test` true reads each result as a condition. take() then answers, per input,
    // per expression: {"v": value}, {} for no value (undefined), {"e": error}; or true/false for conditions.
    run: function (indexes, inputs, constants, test) {
      settled = undefined;
      var expressions = JSON.parse(indexes).map(function (i) { return compiled[i]; });
      var items = JSON.parse(inputs);
      var shared = JSON.parse(constants);
      var out = new Array(items.length);
      var left = items.length * expressions.length;
      // Counted down rather than Promise.all: one promise less per evaluation, and nothing kept for the batch.
      function done() { if (--left === 0) settled = JSON.stringify(out); }
      for (var k = 0; k < items.length; k++) {
        var item = items[k];
        var bindings = { headers: item.h || {}, executionId: item.x === undefined ? null : item.x };
        for (var name in shared) bindings[name] = shared[name];
        var row = out[k] = new Array(expressions.length);
        for (var j = 0; j < expressions.length; j++) {
          expressions[j].evaluate(item.b, bindings).then(settle(row, j, true), settle(row, j, false));
        }
      }

      function settle(row, j, fulfilled) {
        return function (v) {
          row[j] = !fulfilled ? { e: describe(v) } : test ? truthy(v) : (v === undefined ? {} : { v: v });
          done();
        };
      }
    },

    // The results of the last run(), once settled; null when it has not settled.
    take: function () {
      var result = settled;
      settled = undefined;
      return result === undefined ? null : result;
    }
  };
})();
