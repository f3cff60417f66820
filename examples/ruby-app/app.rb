require "sinatra"

get "/" do
  "ruby example"
end
