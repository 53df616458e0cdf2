# PP-only: pipeline efficiency (1 - bubble) vs batches in flight per stage (shardplan report; run `gnuplot bubble.gp` here to redraw)
set terminal svg size 720,440 dynamic noenhanced font 'sans,11' background rgb 'white'
set output 'bubble.svg'
set title 'PP-only: pipeline efficiency (1 - bubble) vs batches in flight per stage'
set xlabel 'batches in flight per stage'
set ylabel 'efficiency'
set datafile missing 'NaN'
set grid ytics lc rgb '#dddddd'
set key outside right top
plot 'bubble.dat' index 0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 lc rgb '#4e79a7' title 'llama-3.1-70b on 1 x dgx-h100', \
     '' index 1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 lc rgb '#f28e2b' title 'llama-3.1-70b on 2 x dgx-h100', \
     '' index 2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 lc rgb '#59a14f' title 'llama-3.1-70b on 4 x dgx-h100', \
     '' index 3 using 1:2 with linespoints lw 2 pt 7 ps 1.1 lc rgb '#e15759' title 'llama-3.1-70b on 1 x h100-pcie', \
     '' index 4 using 1:2 with linespoints lw 2 pt 7 ps 1.1 lc rgb '#76b7b2' title 'llama-3.1-405b on 2 x dgx-h100', \
     '' index 5 using 1:2 with linespoints lw 2 pt 7 ps 1.1 lc rgb '#b07aa1' title 'llama-3.1-405b on 4 x dgx-h100'
