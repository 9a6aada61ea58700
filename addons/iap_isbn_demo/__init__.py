"""Bridge addon: installed by itself where the platform, the ISBN provider and its client all are."""
