"""The team's small business (UMKM, issue #20): the cash book (buku kas) and the stock card."""
