print("pip example")
