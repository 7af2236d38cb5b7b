"""Languages: which one each person gets (:mod:`bot.i18n.locales`) and Babel's CLDR data
for their dates, numbers and plurals (:mod:`bot.i18n.cldr`).
"""
