/*
 * The browser's copy of inspection/scoring.py: it reads the same rules JSON
 * (/standards/<version>/rules.json) and is run against the same test vectors
 * (tests/inspection/scoring_vectors.json), so the live score on the tablet and
 * the server's final score cannot drift. The server's figure is final.
 */
(function (root) {
  "use strict";

  function itemApplies(item, store) {
    var appliesTo = item.applies_to || {};
    if (appliesTo.categories && appliesTo.categories.length &&
        appliesTo.categories.indexOf(store.category) < 0) {
      return false;
    }
    var locations = appliesTo.location_classes;
    return !(locations && locations.length && locations.indexOf(store.location_class) < 0);
  }

  function timeLimit(item, store, peak) {
    var rules = item.limit_rules || [];
    for (var i = 0; i < rules.length; i++) {
      var rule = rules[i];
      if ("categories" in rule && rule.categories.indexOf(store.category) < 0) continue;
      if ("peak" in rule && Boolean(rule.peak) !== Boolean(peak)) continue;
      return Number(rule.limit);
    }
    return Number(item.limit);
  }

  function requiredCount(item, store) {
    return Number(item.required_count[store.location_class]);
  }

  function itemDeduction(item, finding, store) {
    if (!finding || finding.na || !itemApplies(item, store)) return 0;
    if (item.kind === "fixed") {
      var occurrences = Number(finding.occurrences || 0);
      if (item.once) occurrences = Math.min(occurrences, 1);
      return item.points * occurrences;
    }
    if (item.kind === "ranged") {
      return (finding.points || []).reduce(function (sum, p) { return sum + Number(p); }, 0);
    }
    var m = finding.measurement;
    if (m === null || m === undefined || m === "") return 0;
    if (item.kind === "time") {
      return Number(m) > timeLimit(item, store, finding.peak) ? item.points : 0;
    }
    if (item.kind === "count") {
      return Math.trunc(Number(m)) < requiredCount(item, store) ? item.points : 0;
    }
    return 0;
  }

  function isZeroing(item, finding) {
    if (item.kind !== "zeroing" || !finding || finding.na) return false;
    var m = finding.measurement;
    return m !== null && m !== undefined && m !== "" && Number(m) >= Number(item.limit);
  }

  function scoreVisit(rules, store, findings) {
    var lost = {};
    var sections = {};
    rules.sections.forEach(function (s) { lost[s.code] = 0; });
    var deductions = {};
    var notApplicable = [];
    var zeroed = false;
    var redLine = false;
    rules.items.forEach(function (item) {
      var finding = findings[item.code];
      if (!itemApplies(item, store)) {
        notApplicable.push(item.code);
        return;
      }
      var points = itemDeduction(item, finding, store);
      if (points) {
        deductions[item.code] = points;
        lost[item.section] += points;
        redLine = redLine || Boolean(item.red_line);
      }
      zeroed = zeroed || isZeroing(item, finding);
    });
    var total = 0;
    rules.sections.forEach(function (s) {
      sections[s.code] = Math.max(0, s.points - lost[s.code]);
      total += sections[s.code];
    });
    return {
      sections: sections,
      total: zeroed ? 0 : total,
      zeroed: zeroed,
      red_line: redLine,
      deductions: deductions,
      not_applicable: notApplicable,
    };
  }

  var api = {
    scoreVisit: scoreVisit,
    itemApplies: itemApplies,
    itemDeduction: itemDeduction,
    timeLimit: timeLimit,
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  root.InspectionScoring = api;
})(typeof self !== "undefined" ? self : this);
