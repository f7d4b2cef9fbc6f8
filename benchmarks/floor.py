"""The floor: DuckDB reading the same files and grouping them into the regional table."""

import sys
import time

import duckdb


def main() -> None:
    inbox = sys.argv[1]
    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(
        f"""
        WITH i AS (SELECT region_code, count(*) AS n
                   FROM read_csv('{inbox}/2023/*/incidents.csv', all_varchar = true) GROUP BY ALL),
             m AS (SELECT region_code, sum(missions) AS m
                   FROM read_csv('{inbox}/2023/*/missions.csv',
                                 types = {{'region_code': 'VARCHAR'}}) GROUP BY ALL)
        SELECT region_code, n, m, 1000.0 * n / m FROM i JOIN m USING (region_code) ORDER BY 1
        """
    ).fetchall()
    print(time.perf_counter() - start)


if __name__ == "__main__":
    main()
