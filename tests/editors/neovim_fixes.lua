-- Driven by test_neovim.py: Neovim 0.7's own LSP client talks to `hullguard server`.
-- Opens a Dockerfile and a Kubernetes manifest, waits for hullguard's diagnostics, asks for
-- code actions, applies one fix in each (the ones whose titles HG_FIX_DOCKERFILE and
-- HG_FIX_MANIFEST name), writes the files and quits. Any Lua error exits with status 1
-- (an uncaught error would leave headless Neovim waiting for ever).
local function fail(message)
  io.stderr:write("neovim test: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local function has_code(bufnr, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.user_data and d.user_data.lsp and d.user_data.lsp.code == code then
      return d
    end
  end
  return nil
end

local function wait_for(what, condition)
  if not vim.wait(30000, condition, 20) then
    error("timed out waiting for " .. what)
  end
end

local function fix(client, path, filetype, code, title)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = filetype -- -u NONE: no filetype detection
  vim.lsp.buf_attach_client(bufnr, client.id)
  wait_for(code .. " in " .. path, function() return has_code(bufnr, code) ~= nil end)
  local diagnostic = has_code(bufnr, code)
  -- What vim.lsp.buf.code_action() sends for the diagnostic's line (Neovim 0.7).
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = {
      start = { line = diagnostic.lnum, character = diagnostic.col },
      ["end"] = { line = diagnostic.end_lnum, character = diagnostic.end_col },
    },
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, diagnostic.lnum) },
  }
  local response = client.request_sync("textDocument/codeAction", params, 30000, bufnr)
  if not response or response.err then
    error("codeAction failed: " .. vim.inspect(response))
  end
  local chosen
  for _, action in ipairs(response.result or {}) do
    if vim.startswith(action.title, title) then chosen = action end -- "(unsafe)" may follow
  end
  if not chosen then
    error("no action '" .. title .. "' among " .. vim.inspect(vim.tbl_map(function(a) return a.title end, response.result or {})))
  end
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  wait_for(code .. " gone from " .. path, function() return has_code(bufnr, code) == nil end)
  vim.cmd("write")
end

local ok, err = pcall(function()
  local root = os.getenv("HG_ROOT")
  local id = vim.lsp.start_client({
    name = "hullguard",
    cmd = { os.getenv("HG_PYTHON"), "-m", "hullguard.server" },
    root_dir = root,
  })
  if not id then error("the client did not start") end
  local client = vim.lsp.get_client_by_id(id)
  fix(client, root .. "/Dockerfile", "dockerfile", "HG101", os.getenv("HG_FIX_DOCKERFILE"))
  fix(client, root .. "/manifest.yaml", "yaml", "HG104", os.getenv("HG_FIX_MANIFEST"))
  vim.lsp.stop_client(id)
end)
if not ok then fail(tostring(err)) end
vim.cmd("qall!")
