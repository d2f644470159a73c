"""What every package may use, importing nothing of ours: transactions, CSV reading, text and email normalisation, the council clock, the spreadsheet-formula guard, uploads, chart and PDF set-up."""
