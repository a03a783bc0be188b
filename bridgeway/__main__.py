from bridgeway.cli import main

main()
