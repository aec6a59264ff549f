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

  function itemRequirement(item, store) {
    var rules = item.requirement_rules || [];
    for (var i = 0; i < rules.length; i++) {
      var rule = rules[i];
      if (Number(store.counters || 0) < (rule.counters_at_least || 0)) continue;
      if ("has_rest_area" in rule && Boolean(store.has_rest_area) !== rule.has_rest_area) continue;
      return rule;
    }
    return null;
  }

  function lapseObserved(item, finding) {
    return Boolean(item.lapse) && Number(finding.occurrences || 0) > 0;
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
    var measured = m !== null && m !== undefined && m !== "";
    if (item.kind === "time") {
      var exceeded = measured && Number(m) > timeLimit(item, store, finding.peak);
      return exceeded || lapseObserved(item, finding) ? item.points : 0;
    }
    if (item.kind === "count" && measured) {
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
    var requirements = {};
    var notApplicable = [];
    var prohibitions = [];
    var zeroed = false;
    var redLine = false;
    rules.items.forEach(function (item) {
      var finding = findings[item.code];
      if (!itemApplies(item, store)) {
        notApplicable.push(item.code);
        return;
      }
      var requirement = itemRequirement(item, store);
      if (requirement) requirements[item.code] = requirement.code;
      var points = itemDeduction(item, finding, store);
      if (points) {
        deductions[item.code] = points;
        lost[item.section] += points;
        if (item.red_line) {
          redLine = true;
          if (prohibitions.indexOf(item.prohibition) < 0) prohibitions.push(item.prohibition);
        }
      }
      zeroed = zeroed || isZeroing(item, finding);
    });
    var total = 0;
    var counted = {};
    rules.sections.forEach(function (s) {
      sections[s.code] = Math.max(0, s.points - lost[s.code]);
      // A zeroed visit counts 0 in every section (ruling R6).
      counted[s.code] = zeroed ? 0 : sections[s.code];
      total += sections[s.code];
    });
    return {
      sections: sections,
      counted_sections: counted,
      total: zeroed ? 0 : total,
      zeroed: zeroed,
      red_line: redLine,
      deductions: deductions,
      not_applicable: notApplicable,
      prohibitions: prohibitions.sort(function (a, b) { return a - b; }),
      requirements: requirements,
    };
  }

  var api = {
    scoreVisit: scoreVisit,
    itemApplies: itemApplies,
    itemDeduction: itemDeduction,
    itemRequirement: itemRequirement,
    timeLimit: timeLimit,
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  root.InspectionScoring = api;
})(typeof self !== "undefined" ? self : this);
