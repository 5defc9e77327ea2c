"""Units the data's sources use, and how they convert (standard library only).

Kept apart from :mod:`helpers.trade` so that :mod:`helpers.parameters`, which
must not import pandas, can read the same facts when it checks a year window.
"""

#: Factors from each US-dollar unit found in the sources to USD million.
#: "USD 10 thousand" is the unit of China's statistical yearbooks; "USD 100
#: million" that of Chinese customs releases and of Gao Fei's Table 1
#: ("hundred million dollars").
USD_MILLION_PER_UNIT: dict[str, float] = {
    "USD billion": 1000.0,
    "USD 100 million": 100.0,
    "USD million": 1.0,
    "USD 10 thousand": 0.01,
    "USD thousand": 0.001,
}
#: Units the data may hold that are not US dollars: kept, never converted
#: (no exchange rate is applied silently).
OTHER_UNITS = ("CNY trillion", "CNY billion", "CNY 100 million", "CNY million")
