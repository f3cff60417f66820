package app;

public class Core {}
