#!/usr/bin/env bash
# Start PostgreSQL 15 on 127.0.0.1:5432 with a `fangkong` role that may create the test database.
# Used by .ci/run and by `make bench`; safe to run again.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_roles WHERE rolname='fangkong'\"" | grep -q 1 ||
  su postgres -c "psql -q -c \"CREATE ROLE fangkong LOGIN SUPERUSER PASSWORD 'fangkong'\""
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='fangkong'\"" | grep -q 1 ||
  su postgres -c "createdb -O fangkong fangkong"
echo "postgres://fangkong:fangkong@127.0.0.1:5432/fangkong"
