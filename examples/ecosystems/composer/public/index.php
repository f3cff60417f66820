<?php
echo "composer example\n";
