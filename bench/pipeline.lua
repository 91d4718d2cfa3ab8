-- wrk script: sends DEPTH requests (the first script argument, default 1)
-- back to back on each connection before reading the answers.
init = function(args)
   local depth = tonumber(args[1]) or 1
   local r = {}
   for i = 1, depth do
      r[i] = wrk.format()
   end
   req = table.concat(r)
end
request = function()
   return req
end
