"""One address of every page type of the real site, for the tests that visit them all."""

PAGE_TYPES = [
    "",
    "documents/",
    "documents/jiangxi-2020-h2-key-tasks/",
    "documents/jiangxi-2020-h2-key-tasks/source/",
    "documents/china-2020-h2-key-tasks/cascade/",
    "tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity/",
    "themes/",
    "themes/disease-control/",
    "bodies/",
    "bodies/nhc/",
    "jurisdictions/",
    "jurisdictions/feixi/",
    "jurisdictions/anhui/",
    "indicators/",
    "compare/?a=china-2020-h2-key-tasks&b=feixi-health-capacity-five-aspects",
    "data/",
    "about/",
    "changes/",
    "404.html",
]
