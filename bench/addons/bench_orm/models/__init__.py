from . import bench_line
