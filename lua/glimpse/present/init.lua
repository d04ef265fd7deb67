--- glimpse.present — results for people (text) and programs (JSON).
-- HTML reports and annotated images build on the same result tables.
-- @module glimpse.present
return {
  text = require "glimpse.present.text",
  json = require "glimpse.present.json",
}
