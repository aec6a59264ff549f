# Django's zh_Hans MONTH_DAY_FORMAT pads the month ("01月5日"); people write "1月5日".
MONTH_DAY_FORMAT = "n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
