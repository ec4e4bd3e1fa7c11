-- wrk script used by bench_tokens.py: one fixed request built from the
-- environment, then the report of wrk_report.lua.
--
--   WRK_METHOD   GET (default) or POST
--   WRK_HEADERS  header lines "Name: value", separated by newlines
--   WRK_BODY     request body (POST)
--   WRK_REPORT   path of wrk_report.lua (its done() prints WRK_JSON)
--
-- The request is built once per thread (no request() function), so wrk
-- runs at full speed.

wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body and body ~= "" then
  wrk.body = body
end
for name, value in string.gmatch(os.getenv("WRK_HEADERS") or "",
                                 "([^:\n]+):%s*([^\n]*)") do
  wrk.headers[name] = value
end
dofile(os.getenv("WRK_REPORT"))
