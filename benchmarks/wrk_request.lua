-- wrk script used by bench_tokens.py: one fixed request built from the
-- environment, then the report of wrk_report.lua.
--
--   WRK_METHOD   GET (default) or POST
--   WRK_HEADERS  header lines "Name: value", separated by newlines
--   WRK_BODY     request body (POST)
--   WRK_BODIES   optional: bodies separated by newlines, sent in turn
--                instead of WRK_BODY (password issue spreads its logins
--                over many users this way)
--   WRK_REPORT   path of wrk_report.lua (its done() prints WRK_JSON)
--
-- With one body the request is built once per thread (no request()
-- function), so wrk runs at full speed.

wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body and body ~= "" then
  wrk.body = body
end
for name, value in string.gmatch(os.getenv("WRK_HEADERS") or "",
                                 "([^:\n]+):%s*([^\n]*)") do
  wrk.headers[name] = value
end

local bodies = {}
for line in string.gmatch(os.getenv("WRK_BODIES") or "", "[^\n]+") do
  bodies[#bodies + 1] = line
end
if #bodies > 0 then
  local turn = 0
  request = function()
    turn = turn % #bodies + 1
    return wrk.format(nil, nil, nil, bodies[turn])
  end
end

dofile(os.getenv("WRK_REPORT"))
